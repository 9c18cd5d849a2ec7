"""Task result exporters: JSON in Rally's format (and squall's), the old results list, JUnit XML, CSV."""
