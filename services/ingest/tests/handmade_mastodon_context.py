"""Hand-made mastodon Context body (not copied from the platform): ancestors and descendants
written from the entity documentation."""

from __future__ import annotations

# formerly fixtures/mastodon/context.json
HANDMADE_CONTEXT = r"""{
  "ancestors": [
    {
      "id": "112233000000000001",
      "created_at": "2024-06-01T12:34:56.789Z",
      "in_reply_to_id": null,
      "in_reply_to_account_id": null,
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
      "content": "<p>Nouvelle version de Chorus 🎉</p>",
      "reblog": null,
      "account": {
        "id": "108000000000000001",
        "username": "chorus",
        "acct": "chorus",
        "display_name": "Chorus",
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
      "media_attachments": [],
      "mentions": [],
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
  ],
  "descendants": [
    {
      "id": "112233000000000002",
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
      "content": "<p>Super !</p>",
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
      "media_attachments": [],
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
    },
    {
      "id": "112233000000000003",
      "created_at": "2024-06-01T12:34:56.789Z",
      "in_reply_to_id": "112233000000000002",
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
      "content": "<p>@elise pas chez moi</p>",
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
      "media_attachments": [],
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
  ]
}
""".encode()
