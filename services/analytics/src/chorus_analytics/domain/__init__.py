"""Pure analytics rules: time buckets, statistics, spike detection. No framework imports."""
