"""plex"""
