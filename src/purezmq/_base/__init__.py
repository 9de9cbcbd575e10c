"""The front-ends' shared base: everything a public ``Context``, ``Socket``, ``Frame`` and
``Poller`` do that never waits.

Every front-end -- blocking (``purezmq.sync``), asyncio (``purezmq.asyncio``), gevent
(``purezmq.green``), tornado (``purezmq.eventloop``) -- builds on these modules and adds only its
own way of waiting; no front-end reaches into another (docs/architecture.md, front-ends).

- ``attributes``: options as attributes (pyzmq's ``AttributeSetter``) and option value rules;
- ``serialize``: what ``send`` accepts, and the str/JSON/pickle/serialized codecs;
- ``socket``: ``SocketBase``, the socket's non-waiting half;
- ``context``: ``ContextBase``, the Context's life cycle and defaults;
- ``frame``: ``Frame``/``Message``, ``MessageTracker`` and what ``send`` returns;
- ``handles``: the ``underlying`` handles that ``shadow()`` resolves;
- ``poll``: poll-item registration and fd flag translation;
- ``versions``: ``has()`` and the version functions.
"""
