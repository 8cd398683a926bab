"""Study scripts: measurements that answer one question each and print their tables."""
