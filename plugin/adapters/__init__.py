"""The only modules that import MkDocs or click: they translate, the core decides."""
