"""Awareness content: the library of pages per topic and language, and the help directory.

Public entry points: `content.library.load_library`, `content.help.load_directory` and
`content.check.check_content` / `main_check` (behind `aman content check`).
"""
