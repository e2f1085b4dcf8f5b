"""The results store: every run recorded, with its specification, versions, seed, timing and tables.

>>> from mtorsim.store import Store                                  # doctest: +SKIP
>>> store = Store()            # $MTORSIM_STORE, else <user data dir>/mtorsim/store
>>> with store.start("simulate", {"cell": "MCF7"}) as run:          # doctest: +SKIP
...     run.save_table("timecourse", ds)
>>> store.list(kind="simulate")                                     # doctest: +SKIP
>>> store.load(run.run_id, "timecourse")                            # doctest: +SKIP
"""

from ._store import STATUSES as STATUSES
from ._store import RunHandle as RunHandle
from ._store import Store as Store
from ._store import StoreError as StoreError
from ._store import default_store_path as default_store_path
from ._store import record_simulation as record_simulation

__all__ = ["STATUSES", "RunHandle", "Store", "StoreError", "default_store_path", "record_simulation"]
