"""Hand-made mastodon payloads (not copied from the platform): Notification, Context and webhook bodies written from the entity documentation (a mention, a favourite, ancestors and descendants, a status.created event)."""

from __future__ import annotations

# formerly fixtures/mastodon/notifications.json
HANDMADE_NOTIFICATIONS = r"""[
  {
    "id": "34975861",
    "type": "mention",
    "created_at": "2024-06-01T12:34:57.000Z",
    "account": {
      "id": "109348276540289347",
      "username": "elise",
      "acct": "elise@fosstodon.org",
      "display_name": "Élise 🌿",
      "locked": false,
      "bot": false,
      "created_at": "2022-11-15T00:00:00.000Z",
      "note": "<p>dev</p>",
      "url": "https://fosstodon.org/@elise",
      "avatar": "https://files.example/avatar.png",
      "followers_count": 412,
      "following_count": 90,
      "statuses_count": 1234
    },
    "status": {
      "id": "112233445566778899",
      "created_at": "2024-06-01T12:34:56.789Z",
      "in_reply_to_id": "112233000000000001",
      "in_reply_to_account_id": "108000000000000001",
      "sensitive": false,
      "spoiler_text": "",
      "visibility": "public",
      "language": "fr",
      "uri": "https://fosstodon.org/users/elise/statuses/112233445566778899",
      "url": "https://fosstodon.org/@elise/112233445566778899",
      "replies_count": 0,
      "reblogs_count": 3,
      "favourites_count": 7,
      "edited_at": null,
      "content": "<p><span class=\"h-card\" translate=\"no\"><a href=\"https://mastodon.social/@chorus\" class=\"u-url mention\">@<span>chorus</span></a></span> votre export CSV casse les accents&nbsp;: « café » → « cafÃ© » 😕 <a href=\"https://mastodon.social/tags/bug\" class=\"mention hashtag\" rel=\"tag\">#<span>bug</span></a></p><p>Détails : <a href=\"https://git.example.org/issues/42\" target=\"_blank\" rel=\"nofollow noopener noreferrer\" translate=\"no\"><span class=\"invisible\">https://</span><span class=\"ellipsis\">git.example.org/issues/4</span><span class=\"invisible\">2</span></a></p><script>alert(1)</script>",
      "reblog": null,
      "account": {
        "id": "109348276540289347",
        "username": "elise",
        "acct": "elise@fosstodon.org",
        "display_name": "Élise 🌿",
        "locked": false,
        "bot": false,
        "created_at": "2022-11-15T00:00:00.000Z",
        "note": "<p>dev</p>",
        "url": "https://fosstodon.org/@elise",
        "avatar": "https://files.example/avatar.png",
        "followers_count": 412,
        "following_count": 90,
        "statuses_count": 1234
      },
      "media_attachments": [
        {
          "id": "1",
          "type": "image",
          "url": "https://files.example/media/1.png",
          "preview_url": "https://files.example/media/1s.png",
          "description": "screenshot"
        }
      ],
      "mentions": [
        {
          "id": "108000000000000001",
          "username": "chorus",
          "url": "https://mastodon.social/@chorus",
          "acct": "chorus"
        }
      ],
      "tags": [
        {
          "name": "bug",
          "url": "https://mastodon.social/tags/bug"
        }
      ],
      "emojis": [],
      "card": null,
      "poll": null
    }
  },
  {
    "id": "34975535",
    "type": "favourite",
    "created_at": "2024-06-01T12:40:00.000Z",
    "account": {
      "id": "109348276540289347",
      "username": "elise",
      "acct": "elise@fosstodon.org",
      "display_name": "Élise 🌿",
      "locked": false,
      "bot": false,
      "created_at": "2022-11-15T00:00:00.000Z",
      "note": "<p>dev</p>",
      "url": "https://fosstodon.org/@elise",
      "avatar": "https://files.example/avatar.png",
      "followers_count": 412,
      "following_count": 90,
      "statuses_count": 1234
    },
    "status": {
      "id": "112233000000000001",
      "created_at": "2024-06-01T12:34:56.789Z",
      "in_reply_to_id": null,
      "in_reply_to_account_id": "108000000000000001",
      "sensitive": false,
      "spoiler_text": "",
      "visibility": "public",
      "language": "fr",
      "uri": "https://fosstodon.org/users/elise/statuses/112233445566778899",
      "url": "https://fosstodon.org/@elise/112233445566778899",
      "replies_count": 0,
      "reblogs_count": 3,
      "favourites_count": 7,
      "edited_at": null,
      "content": "<p>Our post</p>",
      "reblog": null,
      "account": {
        "id": "109348276540289347",
        "username": "elise",
        "acct": "elise@fosstodon.org",
        "display_name": "Élise 🌿",
        "locked": false,
        "bot": false,
        "created_at": "2022-11-15T00:00:00.000Z",
        "note": "<p>dev</p>",
        "url": "https://fosstodon.org/@elise",
        "avatar": "https://files.example/avatar.png",
        "followers_count": 412,
        "following_count": 90,
        "statuses_count": 1234
      },
      "media_attachments": [
        {
          "id": "1",
          "type": "image",
          "url": "https://files.example/media/1.png",
          "preview_url": "https://files.example/media/1s.png",
          "description": "screenshot"
        }
      ],
      "mentions": [
        {
          "id": "108000000000000001",
          "username": "chorus",
          "url": "https://mastodon.social/@chorus",
          "acct": "chorus"
        }
      ],
      "tags": [
        {
          "name": "bug",
          "url": "https://mastodon.social/tags/bug"
        }
      ],
      "emojis": [],
      "card": null,
      "poll": null
    }
  }
]
""".encode()

# formerly fixtures/mastodon/webhook_status_created.json
HANDMADE_WEBHOOK_STATUS_CREATED = r"""{
  "event": "status.created",
  "created_at": "2024-06-01T12:34:57.100Z",
  "object": {
    "id": "112233445566778899",
    "created_at": "2024-06-01T12:34:56.789Z",
    "in_reply_to_id": null,
    "in_reply_to_account_id": null,
    "sensitive": false,
    "spoiler_text": "",
    "visibility": "direct",
    "language": "fr",
    "uri": "https://fosstodon.org/users/elise/statuses/112233445566778899",
    "url": "https://fosstodon.org/@elise/112233445566778899",
    "replies_count": 0,
    "reblogs_count": 3,
    "favourites_count": 7,
    "edited_at": null,
    "content": "<p><span class=\"h-card\" translate=\"no\"><a href=\"https://mastodon.social/@chorus\" class=\"u-url mention\">@<span>chorus</span></a></span> votre export CSV casse les accents&nbsp;: « café » → « cafÃ© » 😕 <a href=\"https://mastodon.social/tags/bug\" class=\"mention hashtag\" rel=\"tag\">#<span>bug</span></a></p><p>Détails : <a href=\"https://git.example.org/issues/42\" target=\"_blank\" rel=\"nofollow noopener noreferrer\" translate=\"no\"><span class=\"invisible\">https://</span><span class=\"ellipsis\">git.example.org/issues/4</span><span class=\"invisible\">2</span></a></p><script>alert(1)</script>",
    "reblog": null,
    "account": {
      "id": "109348276540289347",
      "username": "elise",
      "acct": "elise@fosstodon.org",
      "display_name": "Élise 🌿",
      "locked": false,
      "bot": false,
      "created_at": "2022-11-15T00:00:00.000Z",
      "note": "<p>dev</p>",
      "url": "https://fosstodon.org/@elise",
      "avatar": "https://files.example/avatar.png",
      "followers_count": 412,
      "following_count": 90,
      "statuses_count": 1234
    },
    "media_attachments": [
      {
        "id": "1",
        "type": "image",
        "url": "https://files.example/media/1.png",
        "preview_url": "https://files.example/media/1s.png",
        "description": "screenshot"
      }
    ],
    "mentions": [
      {
        "id": "108000000000000001",
        "username": "chorus",
        "url": "https://mastodon.social/@chorus",
        "acct": "chorus"
      }
    ],
    "tags": [
      {
        "name": "bug",
        "url": "https://mastodon.social/tags/bug"
      }
    ],
    "emojis": [],
    "card": null,
    "poll": null
  }
}
""".encode()
