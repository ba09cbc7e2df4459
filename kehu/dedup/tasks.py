from huey.contrib.djhuey import db_task

from kehu.dedup.scan import scan_execute


@db_task()
def dedup_scan(run_id: int) -> None:
    """Scan the whole customer base for duplicate groups (progress on the ScanRun row)."""
    scan_execute(run_id)
