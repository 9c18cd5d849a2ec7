"""Task result exporters (JSON in Rally's format, JUnit XML) and the importer."""
