"""The audit chain: keyed links, keys, verification, content records, anchors."""
