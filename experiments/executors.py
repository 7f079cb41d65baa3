"""Executors: run one function over many sweep cells, serially, in local processes, or on Slurm.

The contract shared by every executor (:class:`Executor`):

* ``map_unordered(fn, items)`` calls ``fn(item)`` once per item and yields ``(index, result)`` as
  each call finishes, in completion order; every index of ``items`` is yielded exactly once.
* ``fn`` must be a module-level (picklable) function and ``items`` plain data (tuples, dicts):
  the process and slurm executors pickle both to run them elsewhere.
* Workers only *compute and return*; the controller that iterates ``map_unordered`` writes
  results to storage. A worker never touches the results store.
* An exception from ``fn`` propagates out of the iterator with a note naming the item index.
  Local executors re-raise the original exception type; on Slurm it arrives as submitit's
  ``FailedJobError`` carrying the remote traceback. Work not yet started is cancelled.

submitit and torch are imported lazily, so importing this module is cheap.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

from attnlab.theory.errors import ConfigError, MissingDependencyError

__all__ = ["Executor", "SerialExecutor", "ProcessExecutor", "SlurmExecutor", "make_executor", "EXECUTORS",
           "single_threaded_worker"]

EXECUTORS = ("serial", "process", "slurm")
# squeue states after which a job will never write its result (GONE: squeue no longer lists it)
_ENDED = frozenset(
    "GONE COMPLETED FAILED CANCELLED TIMEOUT NODE_FAIL OUT_OF_MEMORY PREEMPTED BOOT_FAIL DEADLINE".split()
)


_BLAS_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def single_threaded_worker() -> None:
    """Process-pool initializer: one BLAS/OpenMP thread per worker unless the user set a number.

    Runs in the spawned child before numpy or torch load (they read these variables once, at load).
    With the libraries' default of one thread per core, k workers oversubscribe the cores k-fold:
    two workers on 2 cores each ran ~2.3x slower, so a pool gained nothing (measured on svm-rank-vs-d).
    """
    for name in _BLAS_THREAD_VARS:
        os.environ.setdefault(name, "1")


class Executor(Protocol):
    name: str

    def map_unordered(self, fn: Callable[[Any], Any], items: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        """Call fn(item) for every item; yield (index, result) as each completes.

        Exceptions from fn propagate, with a note naming the item index."""
        ...


def _note(exc: BaseException, index: int, where: str) -> None:
    exc.add_note(f"(raised by item {index} of the sweep, run by the {where} executor)")


class SerialExecutor:
    """A plain loop in this process: the reference behaviour, and the easiest to debug."""

    name = "serial"

    def map_unordered(self, fn: Callable[[Any], Any], items: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        for index, item in enumerate(items):
            try:
                result = fn(item)
            except Exception as exc:
                _note(exc, index, self.name)
                raise
            yield index, result


class ProcessExecutor:
    """A local ``ProcessPoolExecutor`` whose workers are *spawned*, never forked.

    Forking a parent that has started torch/OpenMP threads can deadlock the child. ``workers``
    defaults to ``os.cpu_count()``; never more workers than items are started.
    """

    name = "process"

    def __init__(self, workers: int | None = None):
        self.workers = workers

    def map_unordered(self, fn: Callable[[Any], Any], items: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        import multiprocessing
        from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

        if not items:
            return
        workers = min(self.workers or os.cpu_count() or 1, len(items))
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=single_threaded_worker)
        try:
            pending = {pool.submit(fn, item): index for index, item in enumerate(items)}
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    index = pending.pop(future)
                    try:
                        result = future.result()
                    except Exception as exc:
                        _note(exc, index, self.name)
                        raise
                    yield index, result
        except KeyboardInterrupt:  # Ctrl-C: abandon the running cells instead of waiting for them
            for proc in list((getattr(pool, "_processes", None) or {}).values()):  # public in 3.14+
                proc.terminate()
            raise
        finally:  # also on an exception or when the caller stops iterating early
            pool.shutdown(wait=True, cancel_futures=True)


class SlurmExecutor:
    """One Slurm job per item, submitted as job arrays through submitit.

    ``folder`` holds submitit's pickles and the jobs' stdout/stderr (``%j`` is the job id); it
    must be visible from the compute nodes, and the jobs run ``sys.executable``, so the
    environment must exist there too. Completion is detected from the result files submitit
    writes, so no ``sacct`` (Slurm accounting) is needed; a job that leaves the queue without a
    result file (killed, timed out, node failure) raises :class:`RuntimeError` with its stderr.
    """

    name = "slurm"
    max_array = 1000  # Slurm's default MaxArraySize is 1001
    squeue_every_s = 10.0

    def __init__(
        self, folder: str | Path | None = None, *, partition: str | None = None, timeout_min: int = 60
    ):
        try:
            import submitit  # noqa: F401
        except ImportError as exc:
            raise MissingDependencyError(
                "the slurm executor needs submitit: pip install 'attnlab[slurm]'"
            ) from exc
        if shutil.which("sbatch") is None:
            raise MissingDependencyError(
                "the slurm executor needs the Slurm client tools (sbatch, squeue) on PATH; "
                "run on a Slurm login node, or start a local test cluster with .ci/slurm/start.sh"
            )
        self.folder = Path(folder if folder is not None else Path("results") / "slurm").absolute()
        self.partition = partition
        self.timeout_min = timeout_min

    def _submitit(self):
        import submitit

        ex = submitit.SlurmExecutor(folder=self.folder / "%j", max_num_timeout=0)
        params: dict[str, Any] = {
            "time": self.timeout_min,
            "job_name": "attnlab",
            "nodes": 1,
            "ntasks_per_node": 1,
        }
        if self.partition:
            params["partition"] = self.partition
        ex.update_parameters(**params)
        return ex

    def map_unordered(self, fn: Callable[[Any], Any], items: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        if not items:
            return
        ex = self._submitit()
        pending: dict[int, Any] = {}
        try:
            for start in range(0, len(items), self.max_array):
                with ex.batch():
                    chunk = [ex.submit(fn, item) for item in items[start : start + self.max_array]]
                pending.update(zip(range(start, start + len(chunk)), chunk, strict=True))
            yield from self._collect(pending)
        finally:  # on an error or an early stop, do not leave jobs running on the cluster
            if pending:
                subprocess.run(["scancel", *{job.job_id for job in pending.values()}], capture_output=True)

    def _collect(self, pending: dict[int, Any]) -> Iterator[tuple[int, Any]]:
        """Yield results as result files appear; fail jobs that left the queue without one."""
        poll_s, last_squeue, gone_before = 0.2, 0.0, set()
        while pending:
            finished = [i for i, job in pending.items() if job.paths.result_pickle.exists()]
            for index in finished:
                job = pending.pop(index)
                try:
                    result = job.result()
                except Exception as exc:
                    _note(exc, index, f"{self.name} (job {job.job_id}, logs in {job.paths.folder})")
                    raise
                yield index, result
            if finished:
                poll_s = 0.2
                continue
            if time.monotonic() - last_squeue > self.squeue_every_s:
                last_squeue = time.monotonic()
                gone = self._left_queue(pending)
                for index in gone & gone_before:  # absent twice: not a file-system lag
                    job = pending[index]
                    if not job.paths.result_pickle.exists():
                        stderr = (job.stderr() or "")[-3000:]
                        raise RuntimeError(
                            f"slurm job {job.job_id} (item {index}) left the queue without a result; "
                            f"logs in {job.paths.folder}\n{stderr}"
                        )
                gone_before = gone
            time.sleep(poll_s)
            poll_s = min(2.0, poll_s * 1.5)

    @staticmethod
    def _left_queue(pending: dict[int, Any]) -> set[int]:
        """Indices whose job has ended or is no longer listed by squeue (none if squeue fails)."""
        ids = sorted({job.job_id.split("_")[0] for job in pending.values()})
        out = subprocess.run(
            ["squeue", "-h", "-r", "-o", "%i %T", "-j", ",".join(ids)], capture_output=True, text=True
        )
        if out.returncode != 0 and "Invalid job id" not in out.stderr:
            return set()
        live = dict(line.split()[:2] for line in out.stdout.splitlines() if line.strip())
        return {i for i, job in pending.items() if live.get(job.job_id, "GONE") in _ENDED}


def make_executor(
    name: str,
    *,
    workers: int | None = None,
    slurm_folder: str | Path | None = None,
    slurm_partition: str | None = None,
    slurm_timeout_min: int = 60,
) -> Executor:
    """Build an executor by name: ``serial``, ``process`` (``workers``) or ``slurm`` (``slurm_*``)."""
    if workers is not None and workers < 1:
        raise ConfigError(f"workers must be >= 1, got {workers}")
    if name == "serial":
        return SerialExecutor()
    if name == "process":
        return ProcessExecutor(workers)
    if name == "slurm":
        if slurm_timeout_min < 1:
            raise ConfigError(f"slurm_timeout_min must be >= 1, got {slurm_timeout_min}")
        return SlurmExecutor(slurm_folder, partition=slurm_partition, timeout_min=slurm_timeout_min)
    raise ConfigError(f"unknown executor {name!r}; valid executors: {', '.join(EXECUTORS)}")
