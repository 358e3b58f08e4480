"""A hand-made French valence lexicon (VADER's -4..+4 scale), keys accent-folded and singular."""

from __future__ import annotations

_POSITIVE = {
    4.0: "excellent parfait genial magnifique merveilleux formidable exceptionnel sublime "
    "extraordinaire fantastique incroyable adore bravo top",
    3.0: "super superbe adorer aimer aime ravi enchante heureux content satisfait recommande "
    "recommander felicitation felicitations merci remercie remercier impeccable efficace "
    "rapide agreable delicieux beau belle joli jolie parfaitement genialissime cool chouette "
    "plaisir bonheur topissime",
    2.0: "bon bonne bien sympa gentil gentille aimable utile pratique professionnel serviable "
    "reactif competent fiable qualite propre confortable facile clair claire apprecie "
    "apprecier interessant rassurant soulage fier fidele gagne reussi bravo idee "
    "ameliore amelioration",
    1.0: "correct correcte ok okay ca-va raisonnable rapide simple possible",
}

_NEGATIVE = {
    -4.0: "scandale scandaleux honteux honte arnaque escroquerie escroc voleur voleurs "
    "inadmissible inacceptable degoutant horrible catastrophe catastrophique lamentable "
    "pire immonde minable",
    -3.0: "nul nulle deteste detester decu decevant deception colere furieux enerve enervant "
    "terrible affreux mauvais mauvaise inutile incompetent incompetence mensonge menteur "
    "mepris mepris ridicule insupportable boycott boycotter boycottez poursuite plainte "
    "proces avocat toxique dangereux danger dangereuse fraude vol vole casse cassee "
    "abime abimee panne mecontent insatisfait",
    -2.0: "probleme retard lent lente erreur bug plante annule annulation perdu perdue "
    "manquant attente attendre rembourse remboursement rembourser reclamation plaindre "
    "difficile cher chere triste dommage fache inquiet inquiete impossible jamais-recu "
    "defectueux defectueuse faute echec rate raté pas-recu mal douteux bruyant sale",
    -1.0: "bof moyen moyenne long longue complique question hesite",
}

_BOOSTERS_UP = (
    "tres trop vraiment tellement extremement absolument totalement completement "
    "particulierement hyper super vachement grave carrement franchement si"
)
_BOOSTERS_DOWN = "peu assez plutot legerement presque moyennement"
_NEGATORS = "pas ne jamais aucun aucune rien personne ni sans guere nullement plus"


def _table(groups: dict[float, str]) -> dict[str, float]:
    return {word: value for value, words in groups.items() for word in words.split()}


LEXICON: dict[str, float] = {**_table(_POSITIVE), **_table(_NEGATIVE)}
BOOSTERS: dict[str, float] = {
    **{w: 0.293 for w in _BOOSTERS_UP.split()},
    **{w: -0.293 for w in _BOOSTERS_DOWN.split()},
}
NEGATORS: frozenset[str] = frozenset(_NEGATORS.split())
# "pas terrible" means bad, "pas mal" means rather good: fixed values instead of a flip.
NEGATED_IDIOMS: dict[str, float] = {"terrible": -2.0, "mal": 1.5}
# Words that flip the weight of what follows, as VADER does for "but".
CONTRAST: frozenset[str] = frozenset({"mais", "cependant", "pourtant", "toutefois", "neanmoins"})

EMOJI: dict[str, float] = {
    "😍": 3.0,
    "🥰": 3.0,
    "❤": 3.0,
    "❤️": 3.0,
    "😊": 2.0,
    "🙂": 1.5,
    "😀": 2.0,
    "😃": 2.0,
    "😁": 2.0,
    "👍": 2.0,
    "👏": 2.5,
    "🎉": 2.5,
    "🙏": 1.5,
    "💯": 2.0,
    "✨": 1.0,
    "🔥": 1.5,
    "😡": -3.0,
    "🤬": -3.5,
    "😠": -2.5,
    "👎": -2.5,
    "😤": -2.0,
    "💩": -2.5,
    "😢": -2.0,
    "😭": -2.0,
    "😞": -2.0,
    "🙁": -1.5,
    "😒": -1.5,
    "🤮": -3.0,
    "😩": -2.0,
}
