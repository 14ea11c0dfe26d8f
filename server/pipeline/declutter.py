"""Clutter rules applied before scoring (placeholder: rules land next)."""


def remove_clutter(root, url, meta, options):
    return []
