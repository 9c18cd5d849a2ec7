"""Built-in plugins; every module below is imported by the plugin loader."""
