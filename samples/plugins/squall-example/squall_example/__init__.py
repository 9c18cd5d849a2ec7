"""squall-example: each plugin is one module; importing the package registers them all."""

from squall_example import max_attempts, retrying_echo, word_list  # noqa: F401 - imported to register
