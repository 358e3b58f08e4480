"""Keywords: the content words of a post (EN/FR stop words removed), most frequent first."""

from __future__ import annotations

import re

_WORD = re.compile(r"[^\W\d_][\w'\u2019-]*[^\W_]|[^\W\d_]{3,}", re.UNICODE)
_CLEAN = re.compile(r"https?://\S+|www\.\S+|\S+@\S+|(?<!\w)@\w+", re.UNICODE)
MAX_KEYWORDS = 15
MIN_LENGTH = 3

_STOP_TEXT = """
    a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    few for from further get got had has have having he her here hers herself him himself
    his how i if in into is it its itself just let me more most my myself no nor not now of
    off on once only or other our ours ourselves out over own same she should so some such
    than that the their theirs them themselves then there these they this those through to
    too under until up very was we were what when where which while who whom why will with
    would you your yours yourself yourselves i'm it's don't can't i've you're that's
    there's what's im dont cant ive youre thats still even really one two just like
    au aux avec ce ces cet cette dans de des du elle elles en et eux il ils je la le les
    leur leurs lui ma mais me mes moi mon même ne nos notre nous on ou où par pas pour qu
    que qui sa se ses son sur ta te tes toi ton tu un une vos votre vous est sont été être
    suis es sommes êtes avoir ai as avons avez ont fait faire plus très tout tous toute toutes sans sous chez
    donc car ni si comme alors aussi bien encore déjà ça cela ceci ici là y c'est j'ai
    n'est qu'il d'un d'une l'on vraiment trop peu rien quand comment pourquoi depuis
    """
STOP_WORDS: frozenset[str] = frozenset(_STOP_TEXT.split())


def extract_keywords(text: str, extra: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Lower-cased content words by frequency then first position, plus ``extra`` (hashtags).

    The words come from one ``findall`` (strings, no match objects) and are lower-cased in
    one go; only the few with an apostrophe are touched again; the ranking is one stable
    sort by count (a dict keeps first positions): every post pays for this, so no per-match work."""
    counts: dict[str, int] = {}
    stop = STOP_WORDS
    for word in map(str.lower, _WORD.findall(_CLEAN.sub(" ", text[:5000]))):
        if "'" in word or "\u2019" in word:  # French elision: l'application -> application
            word = word.replace("\u2019", "'").rsplit("'", 1)[-1]
        if len(word) < MIN_LENGTH or word in stop:
            continue
        counts[word] = counts.get(word, 0) + 1
    for tag in extra:
        counts[tag] = counts.get(tag, 0) + 1
    # Stable: equal counts keep the order of first appearance.
    return tuple(sorted(counts, key=counts.__getitem__, reverse=True)[:MAX_KEYWORDS])
