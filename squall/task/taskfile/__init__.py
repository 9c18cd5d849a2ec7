"""The task file's way in: render (Jinja2, sandboxed) -> parse -> normalise (v1, v2) -> validate.

``render`` turns the text and its arguments into a document, ``normalise``
turns any accepted format into one :class:`~squall.task.taskfile.normalise.TaskConfig`
(``schemas`` holds the formats' JSON schemas), and ``validate`` checks each
plugin's section against the plugin.
"""
