"""Async orchestration over the parts (plex, providers, store, secrets); no Qt."""
