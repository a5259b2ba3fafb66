"""The SQL sandbox: checking and rewriting the queries users run over the datasets."""
