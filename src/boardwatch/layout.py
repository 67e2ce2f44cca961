"""Names of a site's own files and folders, in a module that imports nothing (a build that
finds nothing changed looks them up before it imports any stage)."""

CONFIG_FILE = "boardwatch.yaml"
CACHE_DIR = ".boardwatch-cache"
