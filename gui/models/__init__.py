"""The log's data: records, the Qt table model, its filter and the rate series."""
