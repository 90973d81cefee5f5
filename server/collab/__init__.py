"""The collaboration engine: card documents, their storage and their live rooms."""
