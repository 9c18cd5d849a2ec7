"""Resource names: squall recognises exactly what it made."""

from __future__ import annotations

import random
import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from squall import naming

TASK = "3f2a9c1b-0000-4000-8000-000000000000"
OTHER = "3f2a9c1c-0000-4000-8000-000000000000"


def test_generated_names_belong_to_their_task_and_kind() -> None:
    name = naming.generate(TASK, "context")
    assert name.startswith("sqc_3f2a9c1b_") and len(name) == 21
    assert naming.belongs_to(name, TASK) and naming.belongs_to(name, TASK, "context")
    assert not naming.belongs_to(name, TASK, "scenario")
    assert not naming.belongs_to(name, OTHER)
    assert naming.belongs_to(name)  # some squall task
    assert naming.owner(name) == naming.NameOwner(kind="context", task_code="3f2a9c1b")


def test_look_alikes_are_foreign() -> None:
    name = naming.generate(TASK)
    for fake in (name + "x", "x" + name, name[:-1], name.upper(), name.replace("_", "-"), " " + name,
                 name[:-1] + ("A" if name[-1] != "A" else "B"), "sqs_3f2a9c1b_abcdefgh", "", "rally_user_1"):
        if fake == name:
            continue
        assert not naming.belongs_to(fake), fake


@settings(max_examples=300)
@given(st.uuids())
def test_every_generated_name_matches_only_its_task(task: uuid.UUID) -> None:
    name = naming.generate(str(task), "scenario")
    assert naming.belongs_to(name, str(task), "scenario")
    other = str(uuid.UUID(int=task.int ^ (1 << 127)))  # differs in the first hex digit
    assert not naming.belongs_to(name, other)


def test_hand_made_names_of_the_same_shape_rarely_match() -> None:
    # Without the check character every one of these would pass for squall's.
    rng = random.Random(0)
    names = ["sq" + rng.choice("sc") + "_" + "".join(rng.choice("0123456789abcdef") for _ in range(8)) + "_" +
             "".join(rng.choice(naming.ALPHABET) for _ in range(8)) for _ in range(6200)]
    matched = sum(naming.belongs_to(n) for n in names)
    assert matched < 0.03 * len(names)


def test_a_tag_in_a_description_carries_the_name_and_nothing_else_does() -> None:
    name = naming.generate(TASK, "context")
    assert naming.tagged_name(naming.tag(name)) == name
    forged = name[:-1] + ("A" if name[-1] != "A" else "B")
    for text in (None, "", name, "m1.tiny for the demo", naming.tag(forged), naming.tag(name) + " ",
                 " " + naming.tag(name), naming.tag(name).upper(), naming.tag("rally_flavor")):
        assert naming.tagged_name(text) is None, text
