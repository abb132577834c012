"""The Anki flow: a learner's flashcard and cloze atoms into their Anki collection, their reviews back.

- ``sync``        ``sync_user``, :class:`AnkiRun`: one run of a user (the exchange, the pull, the push)
- ``note``        what one atom becomes in Anki and how a card reads back (pure)
- ``account``     the Anki account: its credential, encrypted with the key ring
- ``collection``  :class:`Device`: the collection worked on with Anki's library (the only module that imports it,
                  and only when an Anki sync runs)
"""
