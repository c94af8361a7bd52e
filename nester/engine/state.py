"""The mutable layout the optimiser works on: where every copy is, in which bin, and the
overlap bookkeeping of guided local search."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nester.engine.clock import Clock
from nester.engine.moves import EPSILON_SHARE, refresh_overlaps
from nester.engine.shapes import PreparedProblem


@dataclass
class Snapshot:
    shape_of: np.ndarray
    pos_x: np.ndarray
    pos_y: np.ndarray
    bin_of: np.ndarray
    bin_rect: np.ndarray
    bin_types: list[int]


class LayoutState:
    """Copies placed (or not, bin -1) in bin instances; each bin instance has a container
    type, a usable rectangle and that type's hazards."""

    def __init__(self, prepared: PreparedProblem, bin_types: list[int], clock: Clock | None = None):
        self.prepared = prepared
        self.clock = clock or Clock()
        self.geometry = prepared.bank.geometry()
        n = prepared.copies
        self.copy_first_shape = prepared.item_first_shape[prepared.copy_item]
        self.copy_shape_count = prepared.item_shape_count[prepared.copy_item]
        self.shape_of = self.copy_first_shape.copy()
        self.pos_x = np.zeros(n)
        self.pos_y = np.zeros(n)
        self.bin_of = np.full(n, -1, dtype=np.int64)
        self.weights = np.ones((n, n))
        self.wall_weights = np.ones(n)
        self.overlap = np.zeros((n, n))
        self.wall_overlap = np.zeros(n)
        self.bin_types: list[int] = []
        self.bin_rect = np.zeros((0, 4))
        self.hazards = np.zeros(0, dtype=np.int64)
        self.hazard_start = np.zeros(1, dtype=np.int64)
        for container in bin_types:
            self.open_bin(container)
        self.tol = prepared.tolerance

    # -- bins ---------------------------------------------------------------------------
    def open_bin(self, container: int) -> int:
        self.bin_types.append(container)
        self.bin_rect = np.vstack([self.bin_rect, self.prepared.container_rect[container][None, :]])
        self._rebuild_hazards()
        return len(self.bin_types) - 1

    def drop_bin(self, b: int) -> None:
        """Remove bin instance b (its copies become unplaced); later bins shift down by one."""
        self.bin_of[self.bin_of == b] = -1
        self.bin_of[self.bin_of > b] -= 1
        del self.bin_types[b]
        self.bin_rect = np.delete(self.bin_rect, b, axis=0)
        self._rebuild_hazards()

    def clear(self) -> None:
        """No bins, nothing placed."""
        self.bin_of[:] = -1
        self.bin_types = []
        self.bin_rect = np.zeros((0, 4))
        self._rebuild_hazards()
        self.overlap[:] = 0.0
        self.wall_overlap[:] = 0.0

    def reorder_bins(self, order: list[int]) -> None:
        """Renumber the bins: new bin i is old bin order[i]."""
        renumber = np.empty(len(order), dtype=np.int64)
        renumber[np.array(order, dtype=np.int64)] = np.arange(len(order))
        placed = self.bin_of >= 0
        self.bin_of[placed] = renumber[self.bin_of[placed]]
        self.bin_types = [self.bin_types[b] for b in order]
        self.bin_rect = self.bin_rect[order].copy()
        self._rebuild_hazards()

    def _rebuild_hazards(self) -> None:
        lists = [self.prepared.container_hazards[t] for t in self.bin_types]
        self.hazards = np.concatenate(lists).astype(np.int64) if lists else np.zeros(0, dtype=np.int64)
        self.hazard_start = np.concatenate([[0], np.cumsum([len(h) for h in lists])]).astype(np.int64)

    # -- copies -------------------------------------------------------------------------
    def item_shapes(self, k: int) -> tuple[int, int]:
        """Copy k's first shape and how many it has (one per allowed rotation)."""
        return int(self.copy_first_shape[k]), int(self.copy_shape_count[k])

    def kernel_args(self) -> tuple:
        return (self.geometry, self.shape_of, self.pos_x, self.pos_y, self.bin_of, self.weights,
                self.wall_weights, self.bin_rect, self.hazards, self.hazard_start, self.tol, EPSILON_SHARE)

    def refresh(self, k: int) -> None:
        """Recompute copy k's overlaps after it moved."""
        refresh_overlaps(k, self.overlap, self.wall_overlap, self.geometry, self.shape_of, self.pos_x, self.pos_y,
                         self.bin_of, self.bin_rect, self.hazards, self.hazard_start, self.tol, EPSILON_SHARE)

    def refresh_all(self) -> None:
        for k in range(len(self.shape_of)):
            self.refresh(k)

    def reset_weights(self) -> None:
        self.weights[:] = 1.0
        self.wall_weights[:] = 1.0

    def total_overlap(self) -> float:
        return float(self.overlap.sum() / 2.0 + self.wall_overlap.sum())

    def weighted_overlap(self) -> float:
        """What the separator minimises: the overlaps times their guided-local-search weights."""
        return float((self.weights * self.overlap).sum() / 2.0 + (self.wall_weights * self.wall_overlap).sum())

    def moves_snapshot(self) -> tuple[np.ndarray, ...]:
        """What a separator pass changes, overlaps included (restored without recomputing)."""
        return (self.shape_of.copy(), self.pos_x.copy(), self.pos_y.copy(), self.bin_of.copy(),
                self.overlap.copy(), self.wall_overlap.copy())

    def restore_moves(self, saved: tuple[np.ndarray, ...]) -> None:
        for array, copy in zip((self.shape_of, self.pos_x, self.pos_y, self.bin_of, self.overlap, self.wall_overlap),
                               saved):
            array[...] = copy

    def colliding(self) -> np.ndarray:
        return np.flatnonzero((self.overlap.sum(axis=1) > 0.0) | (self.wall_overlap > 0.0))

    def snapshot(self) -> Snapshot:
        return Snapshot(self.shape_of.copy(), self.pos_x.copy(), self.pos_y.copy(), self.bin_of.copy(),
                        self.bin_rect.copy(), list(self.bin_types))

    def restore(self, snap: Snapshot) -> None:
        self.shape_of[:] = snap.shape_of
        self.pos_x[:] = snap.pos_x
        self.pos_y[:] = snap.pos_y
        self.bin_of[:] = snap.bin_of
        self.bin_rect = snap.bin_rect.copy()
        self.bin_types = list(snap.bin_types)
        self._rebuild_hazards()
        self.refresh_all()

    def cut_end(self, b: int, new_end: float, rng: np.random.Generator) -> None:
        """End bin b at ``new_end``: its copies whose centre lies right of a split point (drawn
        in the middle half of what is left) move left by the length removed, the overlaps
        this makes being the separator's to remove. The weights restart: it is a new problem."""
        start = float(self.bin_rect[b, 0])
        delta = float(self.bin_rect[b, 2]) - new_end
        split = start + (0.25 + 0.5 * rng.random()) * (new_end - start)
        members = np.flatnonzero(self.bin_of == b)
        bbox = self.prepared.bank.bbox[self.shape_of[members]]
        right = 0.5 * (bbox[:, 0] + bbox[:, 2]) + self.pos_x[members] > split
        self.pos_x[members[right]] -= delta
        self.bin_rect[b, 2] = new_end
        self.reset_weights()
        self.refresh_all()

    def extent_x(self, b: int) -> float:
        """Right end of the copies' (inflated) boxes in bin b."""
        members = np.flatnonzero(self.bin_of == b)
        if not len(members):
            return float(self.bin_rect[b, 0])
        bbox = self.prepared.bank.bbox
        return float(np.max(bbox[self.shape_of[members], 2] + self.pos_x[members]))
