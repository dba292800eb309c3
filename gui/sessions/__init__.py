"""What outlives a run: open tabs with their requests, named saved requests (no Qt here;
``settings.MonitorSettings`` keeps them in QSettings)."""
