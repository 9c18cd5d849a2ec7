"""The HTTP platform in one folder: the platform plugin (base URL, headers, auth) and the
``HttpRequests.*`` scenarios."""
