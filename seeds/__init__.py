"""Demo data for the 永康经济开发区 (region 330784). All person data here is SYNTHETIC."""
