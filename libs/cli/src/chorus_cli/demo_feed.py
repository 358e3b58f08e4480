"""The demo feed of `chorus run`: realistic, signed platform webhooks sent to ingest.

``run_demo_feed`` creates the demo channels (idempotently, with their secrets) and then
sends platform-shaped deliveries (X, Facebook, Instagram, WhatsApp, Google reviews, e-mail;
English and French) that exercise legal, PR, brand, support and spam routing, including
replies in threads it opened earlier. Every delivery is new (fresh ids), so each becomes a post.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from dataclasses import dataclass

import httpx

from chorus_cli import demo_payloads as p
from chorus_cli.demo_payloads import Delivery, Person

log = logging.getLogger(__name__)

PEOPLE: dict[str, Person] = {
    "emma": Person("2900000000000000011", "emma_reads", "Emma Wilson", 310,
                   email="emma.wilson@example.net", phone="447700900123"),
    "lucas": Person("2900000000000000012", "lucas_b", "Lucas Bernard", 95,
                    email="lucas.bernard@example.fr", phone="33612345678"),
    "chloe": Person("2900000000000000013", "chloe.dvl", "Chloé Duval", 1200,
                    email="chloe.duval@example.fr", phone="33698765432"),
    "sam": Person("2900000000000000014", "samtravels", "Sam Patel", 640,
                  email="sam.patel@example.com", phone="14155550123"),
    "press_en": Person("2900000000000000021", "tbecker_ledger", "Tom Becker (The Daily Ledger)",
                       18500, True, email="t.becker@dailyledger.example"),
    "press_fr": Person("2900000000000000022", "leamartin_presse", "Léa Martin — journaliste",
                       22100, True, email="lea.martin@quotidien.example"),
    "influencer": Person("2900000000000000031", "jadelifestyle", "Jade ✨ Lifestyle", 482000,
                         True, email="contact@jadelifestyle.example"),
    "lawyer": Person("2900000000000000041", "me_dubois_avocat", "Maître Claire Dubois", 800,
                     email="c.dubois@avocats.example"),
    "spam": Person("2900000000000000051", "crypto_gains_4u", "Crypto Gains", 12),
}  # fmt: skip


@dataclass(frozen=True)
class Scenario:
    intent: str  # legal | pr | brand | support | spam
    lang: str
    person: str
    text: str
    subject: str = "Your order"
    stars: int = 3


SCENARIOS: list[Scenario] = [
    Scenario("legal", "en", "sam", "This is the third broken machine. I am going to sue you, my "
             "lawyer already has the receipts @ChorusCoffee", "Legal notice", 1),
    Scenario("legal", "fr", "lawyer", "Je représente Mme Duval : sans remboursement sous 8 jours, "
             "nous porterons plainte pour pratique commerciale trompeuse.", "Mise en demeure", 1),
    Scenario("legal", "en", "emma", "Under GDPR article 15 I request a copy of all personal data "
             "you hold about me. Reply to emma.wilson@example.net", "GDPR access request"),
    Scenario("legal", "fr", "lucas", "Conformément au RGPD, merci de supprimer mon compte et mes "
             "données. Vous pouvez me joindre au 06 12 34 56 78.", "Demande RGPD"),
    Scenario("pr", "en", "press_en", "Journalist at The Daily Ledger: we are publishing a piece on "
             "your coffee sourcing tomorrow. Could your press office comment today?", "Press"),
    Scenario("pr", "fr", "press_fr", "Journaliste au Quotidien de Lyon, je prépare un article sur "
             "le rappel de vos capsules. Votre service presse peut-il me rappeler ?", "Presse"),
    Scenario("pr", "en", "influencer", "Really disappointed by @ChorusCoffee today, staff were rude "
             "to my team. My followers deserve to know. #BoycottChorus", "Collab", 1),
    Scenario("pr", "fr", "chloe", "Boycottez @ChorusCoffee ! Ils licencient des salariés qui "
             "veulent un syndicat. Partagez #BoycottChorus", "Boycott", 1),
    Scenario("brand", "en", "emma", "Best flat white in town, thank you @ChorusCoffee ☕😍 the new "
             "oat latte is amazing", "Thank you", 5),
    Scenario("brand", "fr", "chloe", "Merci pour l'accueil au magasin de Lyon, équipe au top et "
             "café délicieux 👏", "Merci", 5),
    Scenario("brand", "en", "influencer", "Obsessed with the new Chorus autumn blend 🍂 what a "
             "lovely surprise, thank you @ChorusCoffee!", "Autumn blend", 5),
    Scenario("brand", "en", "sam", "Idea: a loyalty card in the app would be great, I buy a coffee "
             "every morning", "Suggestion", 4),
    Scenario("brand", "fr", "lucas", "Une idée : proposer des grains décaféinés bio en magasin, ce "
             "serait parfait", "Suggestion", 4),
    Scenario("support", "en", "sam", "My order #48213 still hasn't arrived after two weeks. Where "
             "is it? Nobody answers the chat.", "Order #48213 missing", 2),
    Scenario("support", "fr", "lucas", "Toujours pas de remboursement pour ma commande 55120 "
             "annulée il y a un mois, c'est inadmissible", "Remboursement commande 55120", 1),
    Scenario("support", "en", "emma", "The espresso machine I bought leaks water from the bottom. "
             "How do I get a replacement?", "Leaking machine", 2),
    Scenario("support", "fr", "chloe", "Colis reçu abîmé, deux paquets de café déchirés. Que "
             "faire ?", "Colis abîmé", 2),
    Scenario("spam", "en", "spam", "Earn $5000/week from home!!! DM me now https://bit.ly/fr33-"
             "money-now #crypto #giveaway", "You won", 5),
    Scenario("spam", "fr", "spam", "Gagnez un iPhone gratuit ici 👉 http://promo-gratuite.example/"
             "win #concours", "Félicitations", 5),
]  # fmt: skip

FOLLOW_UPS: dict[str, list[str]] = {
    "en": ["Any update on this? Still waiting.", "Thanks for the quick answer!",
           "I sent the details by email, please check."],
    "fr": ["Des nouvelles ? J'attends toujours.", "Merci pour la réponse rapide !",
           "Je vous ai envoyé les détails par mail."],
}  # fmt: skip

PLATFORM_WEIGHTS: dict[str, int] = {
    "x": 30, "facebook": 20, "instagram": 15, "whatsapp": 10, "google_business": 10, "email": 15,
}  # fmt: skip
REPLY_SHARE = 0.25
MAX_IN_FLIGHT = 8


class DemoFeed:
    """Chooses the next delivery; remembers open threads so some deliveries are replies."""

    def __init__(self, rng: random.Random | None = None) -> None:
        self.rng = rng or random.Random()
        self.seq = 0
        self.base = int(time.time() * 1000)
        self.threads: dict[str, list[tuple[str, Scenario]]] = {}

    def _id(self) -> str:
        self.seq += 1
        return str(1_800_000_000_000_000_000 + self.base * 1000 + self.seq)

    def next(self) -> Delivery:
        platforms = list(PLATFORM_WEIGHTS)
        platform = self.rng.choices(platforms, [PLATFORM_WEIGHTS[x] for x in platforms])[0]
        open_threads = self.threads.get(platform, [])
        if open_threads and self.rng.random() < REPLY_SHARE and platform != "google_business":
            root, scenario = self.rng.choice(open_threads)
            text = self.rng.choice(FOLLOW_UPS[scenario.lang])
            return self._build(platform, scenario, text, root)
        scenario = self.rng.choice(SCENARIOS)
        delivery = self._build(platform, scenario, scenario.text, None)
        if delivery.root_id:
            open_threads.append((delivery.root_id, scenario))
            self.threads[platform] = open_threads[-20:]
        return delivery

    def _build(self, platform: str, s: Scenario, text: str, root: str | None) -> Delivery:
        who = PEOPLE[s.person]
        now = p.utc_now()
        uid = self._id()
        if platform == "x":
            return p.x_tweet(uid, who, text, now, root)
        if platform == "facebook":
            post_id = root or f"{p.FB_PAGE_ID}_{uid[-12:]}"
            return p.facebook_comment(post_id, f"{post_id.split('_')[1]}_{uid[-9:]}", who, text,
                                      now)  # fmt: skip
        if platform == "instagram":
            return p.instagram_comment(root or f"179{uid[-14:]}", f"178{uid[-14:]}", who, text,
                                       now)  # fmt: skip
        if platform == "whatsapp":
            return p.whatsapp_message(f"wamid.HBgL{uid}", who, text, now)
        if platform == "google_business":
            return p.google_review(f"AbFvOq{uid}", who, text, s.stars, now)
        return p.email_message(f"demo.{uid}", who, s.subject, text, now, root)


async def ensure_channels(client: httpx.AsyncClient, token: str, stop: asyncio.Event) -> bool:
    """Create the demo channels with their secrets (PATCH the secrets when they exist)."""
    headers = {"Authorization": f"Bearer {token}"}
    for channel in p.CHANNELS:
        doc = {**channel, "brand": "Chorus Coffee", "secrets": p.SECRETS[channel["platform"]]}
        while not stop.is_set():
            try:
                r = await client.post("/v1/channels", json=doc, headers=headers)
                if r.status_code == 409:
                    r = await client.patch(
                        f"/v1/channels/{r.json()['id']}",
                        json={"secrets": doc["secrets"], "enabled": True},
                        headers=headers,
                    )
                if r.status_code < 300:
                    break
                log.warning("demo channel not created", extra={"status": r.status_code})
                return False
            except httpx.HTTPError:
                await _pause(stop, 0.5)  # ingest is still starting
    return not stop.is_set()


async def _pause(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        pass


async def _deliver(client: httpx.AsyncClient, delivery: Delivery) -> None:
    try:
        r = await client.post(
            f"/v1/webhooks/{delivery.platform}",
            content=delivery.body,
            headers=delivery.headers,
            params=delivery.query,
        )
        if r.status_code >= 400:
            log.warning(
                "demo delivery refused",
                extra={"platform": delivery.platform, "status": r.status_code},
            )
    except httpx.HTTPError as exc:
        log.warning("demo delivery failed", extra={"error": type(exc).__name__})


async def run_demo_feed(
    ingest_url: str, admin_token: str, stop: asyncio.Event, rate_per_s: float = 2.0
) -> None:
    """Send signed demo webhooks to ingest at ``rate_per_s`` until ``stop`` is set: one every
    1/rate seconds on the clock, whatever each takes to answer (at most MAX_IN_FLIGHT
    waiting at once)."""
    interval = 1.0 / max(rate_per_s, 0.01)
    feed = DemoFeed()
    loop = asyncio.get_running_loop()
    sending: set[asyncio.Task[None]] = set()
    async with httpx.AsyncClient(base_url=ingest_url.rstrip("/"), timeout=10) as client:
        if not await ensure_channels(client, admin_token, stop):
            return
        next_at = loop.time()
        while not stop.is_set():
            if len(sending) < MAX_IN_FLIGHT:
                task = asyncio.create_task(_deliver(client, feed.next()))
                sending.add(task)
                task.add_done_callback(sending.discard)
            # After a stall (a paused machine), carry on at the rate rather than catch up.
            next_at = max(next_at + interval, loop.time() - interval)
            await _pause(stop, next_at - loop.time())
        await asyncio.gather(*sending, return_exceptions=True)
