"""DRF plumbing: how the domain's errors and Django's are answered over HTTP."""
