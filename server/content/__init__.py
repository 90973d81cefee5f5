"""A card's content: its Yjs document layout, canonical JSON, validation and criteria.

Nothing here touches Flask, the database or a live room: functions take a pycrdt `Doc` or plain
data, so the collaboration engine, the API and the exporters all share one definition.
"""
