"""The CKAN Action API over the catalogue and pool, at ``/api/3/action/{name}`` and without ``/3``.

CKAN clients (ckanapi, ckanext-harvest, udata) see a CKAN 2.11 site with the DataStore: a package
is a dataset, its one resource is the dataset's table, an organisation is a department and a group
is a 6+N resource class or a thematic group (主题库). Answers use CKAN's envelope and error
types, never the native ones. The API key may come bare in ``Authorization`` (as ckanapi sends
it), as a Bearer token, or in ``X-CKAN-API-Key``; without one the caller is the public.
``resource_create`` ingests the multipart ``upload`` as the dataset's next version, appended, or
replacing the rows when ``mode=replace`` or ``clear=true`` is sent.

The modules: ``envelope`` (the action table, the route, CKAN's envelopes and errors, the API key,
and the site's actions), the actions by family (``packages``, ``organizations``, ``groups``,
``datastore``), and what they build on: ``shapes`` (the dicts CKAN clients get), ``params``
(what they send) and ``search`` (Solr-style q/fq, sort and facets).
"""

# Importing the action modules registers their actions in envelope.ACTIONS.
from cityhub.web.ckan import datastore, groups, organizations, packages  # noqa: F401
from cityhub.web.ckan.envelope import router

__all__ = ["router"]
