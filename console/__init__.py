"""The review console: a server-rendered web app where reviewers sign in, see why an item was
escalated, edit, approve, reject or reassign it, and auditors read what happened.

``console.config`` (the ``[console]`` section) is imported by :mod:`agent.config` and must not
import the web stack; everything else here does (FastAPI/Starlette, Jinja2). Entry point:
:func:`console.app.create_app`, served by ``main.py serve``.
"""
