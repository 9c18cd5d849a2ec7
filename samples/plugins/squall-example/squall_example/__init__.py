"""squall-example: each plugin is one module; importing the package registers them all."""

from squall_example import markdown_summary, max_attempts, retrying_echo, word_list  # noqa: F401 - registers
