"""Union-find over hashable, ordered ids (entity nodes, statements and claims): the root of a group
is its smallest id, so a group's name does not depend on the order of the unions."""

from __future__ import annotations

from typing import Generic, TypeVar

T = TypeVar("T")


class UnionFind(Generic[T]):
    def __init__(self) -> None:
        self.parent: dict[T, T] = {}

    def find(self, x: T) -> T:
        self.parent.setdefault(x, x)
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: T, b: T) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            low, high = sorted((ra, rb))
            self.parent[high] = low
