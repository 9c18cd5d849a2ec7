"""The local executor: worker processes forked on this machine, running iterations on threads or asyncio."""
