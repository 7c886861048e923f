"""`git mem pr`: what a reviewer should know about a branch.

Owns reading the branch against its base (`branch`), finding changed memory files, captured
records and relevant memories (`review`, producing `findings`), and the Markdown comment.

It may import `store`, `search` and `records`; it must not import the CLI.
"""
