"""Kehu benchmarks (`make bench`): a seeded data generator and a runner that prints figures
against targets and raw-SQL yardsticks. Never part of `make test`; see docs/performance.md."""
