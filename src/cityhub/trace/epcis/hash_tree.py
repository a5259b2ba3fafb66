"""The tree the CBV 2.0 event hash walks: an event in the EPCIS XML data model.

The hash is defined on the XML model (element name, text, child elements), and JSON-LD
events map onto it as the reference implementation (RalphTro/epcis-event-hash-generator,
``json_to_py`` and ``json_xml_model_mismatch_correction``) maps them: a JSON list becomes
repeated elements, ``fooList`` wraps its items as ``foo`` elements (``inputEPC`` and
``outputEPC`` become ``epc``, quantities become ``quantityElement``), prefixed keys become
``{namespace}local`` and bare CBV words become their web URIs. Each
``bizTransaction``/``source``/``destination`` entry becomes one :class:`Node` whose text is
already its pre-hash string, ``type`` first, as in the shipped reference vectors.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cityhub.trace.epcis.hash_values import canonize
from cityhub.trace.epcis.vocab import Terms, VocabContext

_IGNORED_KEYS = frozenset({"#text", "rdfs:comment", "comment"})
_PAIR_LISTS = {"bizTransactionList": "bizTransaction", "sourceList": "source"}
_PAIR_LISTS["destinationList"] = "destination"
_RENAMED = {"inputEPC": "epc", "outputEPC": "epc"}
_QUANTITY_ELEMENTS = frozenset({"inputQuantity", "outputQuantity", "childQuantity"})


class Node:
    """One element: a name, its text and its child elements (consumed while hashing)."""

    __slots__ = ("children", "name", "pair", "text")

    def __init__(self, name: str, text: str, children: list[Node], pair: bool = False) -> None:
        self.name = name
        self.text = text
        self.children = children
        self.pair = pair  # a finished "type=…bizTransaction=…" string, emitted as is


def key_name(key: str, namespaces: Mapping[str, str]) -> str:
    """``example:field`` → ``{https://ns.example.com/epcis/}field`` when the prefix is known."""
    prefix, sep, local = key.partition(":")
    if sep and prefix in namespaces:
        return "{" + namespaces[prefix] + "}" + local
    return key


def scalar_text(value: Any, terms: Terms | None, namespaces: Mapping[str, str]) -> str:
    """The element text of a JSON scalar (vocabulary words and CURIEs expanded)."""
    if isinstance(value, str):
        if terms is not None and value in terms.uris:
            return terms.uris[value]
        prefix, sep, local = value.partition(":")
        if sep and prefix in namespaces:
            return namespaces[prefix] + local
        return value
    if value is None:
        return ""  # an XML element cannot be null; an empty one adds nothing either
    if isinstance(value, bool):
        return "true" if value else "false"  # xsd:boolean, as the XML form of the event
    return str(value)


def build(
    value: Any, vocab: Terms | VocabContext | None, namespaces: Mapping[str, str]
) -> tuple[str, list[Node]]:
    """(text, children) of a JSON value."""
    if type(value) is str:  # the common case first: most values are strings
        return scalar_text(value, vocab if type(vocab) is Terms else None, namespaces), []
    if isinstance(value, dict | Mapping):
        context = vocab if type(vocab) is dict else None
        children: list[Node] = []
        for key, item in value.items():
            if key in _IGNORED_KEYS:
                continue
            name = key_name(key, namespaces) if ":" in key else key
            sub = context.get(key) if context is not None else None
            if type(item) is list:
                for element in item:
                    text, kids = build(element, sub, namespaces)
                    children.append(Node(name, text, kids))
            else:
                text, kids = build(item, sub, namespaces)
                children.append(Node(name, text, kids))
        text = value.get("#text", "")
        return (text if isinstance(text, str) else str(text)), _restructure(children)
    if isinstance(value, list):
        items = [build(element, vocab, namespaces) for element in value]
        return "", [Node("", text, kids) for text, kids in items]
    return scalar_text(value, vocab if isinstance(vocab, Terms) else None, namespaces), []


def _pair(entry: Node, key: str) -> Node:
    parts = []
    for name in ("type", key):
        for child in entry.children:
            if child.name == name:
                text = child.text.strip()
                parts.append(name + ("=" + canonize(text) if text else ""))
    return Node("", "".join(parts), [], pair=True)


def _restructure(children: list[Node]) -> list[Node]:
    """Wrap ``…List`` items and ``childEPCs`` as the XML model has them; rename elements."""
    lists: dict[str, list[Node]] = {}
    child_epcs: list[Node] = []
    out: list[Node] = []
    for child in children:
        if child.name.endswith("List"):
            lists.setdefault(child.name, []).append(child)
        elif child.name == "childEPCs":
            child_epcs.append(Node("epc", child.text, []))
        else:
            out.append(_renamed(child))
    for list_name, entries in lists.items():
        if list_name in _PAIR_LISTS:
            pairs = [_pair(entry, _PAIR_LISTS[list_name]) for entry in entries]
            out.append(Node(list_name, "", pairs))
        else:
            items = [_renamed(Node(list_name[:-4], e.text, e.children)) for e in entries]
            out.append(Node(list_name, "", items))
    if child_epcs:
        out.append(Node("childEPCs", "", child_epcs))
    return out


def _renamed(node: Node) -> Node:
    if node.name in _RENAMED:
        node.name = _RENAMED[node.name]
    elif node.name in _QUANTITY_ELEMENTS or (node.name == "quantity" and node.children):
        node.name = "quantityElement"
    return node
