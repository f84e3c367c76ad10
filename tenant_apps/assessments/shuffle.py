"""Per-attempt shuffling: the same seed gives the same order (an attempt's questions and each
question's choices stay put across calls), another seed another order."""

import random


def shuffled(items: list, *, seed: int, salt: int = 0) -> list:
    order = list(items)
    random.Random(f"{seed}:{salt}").shuffle(order)  # an order, not a secret
    return order
