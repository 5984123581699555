"""The editors' web app (``ctsync serve``) and its static twin (``ctsync report --html``).

``views`` turns the published copy into what a page shows, ``app`` serves it with a review form,
``report`` writes the same pages as files. Templates autoescape everything: registry text is untrusted.
"""
