# ruff: noqa: RUF001
"""Hand-made x payloads (not copied from the platform): written in the documented v1.1, v2 and Account Activity shapes around documented tweets, with constructed replies, an edit, a repost and the brand's own reply that no copied payload shows together."""

from __future__ import annotations

# formerly fixtures/x/v2_tweet_lookup.json
HANDMADE_V2_TWEET_LOOKUP = r"""{
  "data": [
    {
      "conversation_id": "1304102743196356610",
      "id": "1307025659294674945",
      "possibly_sensitive": false,
      "public_metrics": {
        "retweet_count": 11,
        "reply_count": 2,
        "like_count": 70,
        "quote_count": 1
      },
      "entities": {
        "urls": [
          {
            "start": 74,
            "end": 97,
            "url": "https://t.co/oeF3ZHeKQQ",
            "expanded_url": "https://dev.to/twitterdev/understanding-the-new-tweet-payload-in-the-twitter-api-v2-1fg5",
            "display_url": "dev.to/twitterdev/und…",
            "status": 200,
            "title": "Understanding the new Tweet payload in the Twitter API v2",
            "description": "Twitter recently announced the new Twitter API v2, rebuilt from the ground up to deliver new features...",
            "unwound_url": "https://dev.to/twitterdev/understanding-the-new-tweet-payload-in-the-twitter-api-v2-1fg5"
          }
        ]
      },
      "text": "Here’s an article that highlights the updates in the new Tweet payload v2 https://t.co/oeF3ZHeKQQ",
      "in_reply_to_user_id": "2244994945",
      "created_at": "2020-09-18T18:36:15.000Z",
      "author_id": "2244994945",
      "referenced_tweets": [
        {
          "type": "replied_to",
          "id": "1304102743196356610"
        }
      ],
      "lang": "en",
      "source": "Twitter Web App"
    }
  ],
  "includes": {
    "users": [
      {
        "created_at": "2013-12-14T04:35:55.000Z",
        "profile_image_url": "https://pbs.twimg.com/profile_images/1283786620521652229/lEODkLTh_normal.jpg",
        "public_metrics": {
          "followers_count": 513962,
          "following_count": 2039,
          "tweet_count": 3635,
          "listed_count": 1672
        },
        "description": "The voice of the #TwitterDev team and your official source for updates, news, and events, related to the #TwitterAPI.",
        "pinned_tweet_id": "1293593516040269825",
        "location": "127.0.0.1",
        "url": "https://t.co/3ZX3TNiZCY",
        "verified": true,
        "username": "TwitterDev",
        "protected": false,
        "name": "Twitter Dev",
        "id": "2244994945"
      }
    ]
  }
}
""".encode()

# formerly fixtures/x/v2_search_recent.json
HANDMADE_V2_SEARCH_RECENT = r"""{
  "data": [
    {
      "id": "1790000000000000003",
      "edit_history_tweet_ids": ["1790000000000000003"],
      "text": "@ChorusCafe Ma commande n°4521 est arrivée froide 😡 &amp; personne ne répond… https://t.co/AbC123xyz",
      "author_id": "987654321",
      "conversation_id": "1790000000000000001",
      "created_at": "2024-05-13T09:15:02.000Z",
      "lang": "fr",
      "in_reply_to_user_id": "1500000000",
      "referenced_tweets": [{"type": "replied_to", "id": "1790000000000000001"}],
      "entities": {
        "mentions": [{"start": 0, "end": 11, "username": "ChorusCafe", "id": "1500000000"}],
        "urls": [{"start": 79, "end": 102, "url": "https://t.co/AbC123xyz", "expanded_url": "https://example.com/ticket/4521", "display_url": "example.com/ticket/4521"}]
      },
      "public_metrics": {"retweet_count": 3, "reply_count": 1, "like_count": 12, "quote_count": 2, "bookmark_count": 0, "impression_count": 845}
    },
    {
      "id": "1790000000000000004",
      "edit_history_tweet_ids": ["1790000000000000004"],
      "text": "Loving the new seasonal menu at @ChorusCafe #latte https://t.co/Pic987",
      "author_id": "123123123",
      "conversation_id": "1790000000000000004",
      "created_at": "2024-05-13T10:00:00.000Z",
      "lang": "en",
      "attachments": {"media_keys": ["3_1790000000000000099"]},
      "entities": {
        "mentions": [{"start": 32, "end": 43, "username": "ChorusCafe", "id": "1500000000"}],
        "hashtags": [{"start": 44, "end": 50, "tag": "latte"}]
      },
      "public_metrics": {"retweet_count": 0, "reply_count": 0, "like_count": 4, "quote_count": 0, "bookmark_count": 0, "impression_count": 97}
    },
    {
      "id": "1790000000000000006",
      "edit_history_tweet_ids": ["1790000000000000005", "1790000000000000006"],
      "text": "Edited: the queue at @ChorusCafe Lyon is 20 min, not 40",
      "author_id": "123123123",
      "conversation_id": "1790000000000000005",
      "created_at": "2024-05-13T10:05:00.000Z",
      "lang": "en",
      "entities": {"mentions": [{"start": 21, "end": 32, "username": "ChorusCafe", "id": "1500000000"}]},
      "public_metrics": {"retweet_count": 0, "reply_count": 0, "like_count": 0, "quote_count": 0, "bookmark_count": 0, "impression_count": 10}
    },
    {
      "id": "1790000000000000007",
      "edit_history_tweet_ids": ["1790000000000000007"],
      "text": "RT @ChorusCafe: New menu today!",
      "author_id": "555555555",
      "conversation_id": "1790000000000000007",
      "created_at": "2024-05-13T10:06:00.000Z",
      "lang": "en",
      "referenced_tweets": [{"type": "retweeted", "id": "1790000000000000000"}]
    },
    {
      "id": "1790000000000000008",
      "edit_history_tweet_ids": ["1790000000000000008"],
      "text": "@someone thanks, we are on it!",
      "author_id": "1500000000",
      "conversation_id": "1790000000000000001",
      "created_at": "2024-05-13T10:07:00.000Z",
      "lang": "en",
      "referenced_tweets": [{"type": "replied_to", "id": "1790000000000000003"}]
    }
  ],
  "includes": {
    "users": [
      {"id": "987654321", "name": "Élodie Marchand", "username": "elodie_m", "verified": false, "public_metrics": {"followers_count": 1289, "following_count": 301, "tweet_count": 5120, "listed_count": 4}},
      {"id": "123123123", "name": "Sam Lee", "username": "samlee", "verified": true, "public_metrics": {"followers_count": 40210, "following_count": 12, "tweet_count": 900, "listed_count": 33}},
      {"id": "555555555", "name": "Fan", "username": "fan_account"},
      {"id": "1500000000", "name": "Chorus Café", "username": "ChorusCafe", "verified": true}
    ],
    "media": [
      {"media_key": "3_1790000000000000099", "type": "photo", "url": "https://pbs.twimg.com/media/GNmenu123.jpg"}
    ]
  },
  "meta": {
    "newest_id": "1790000000000000008",
    "oldest_id": "1790000000000000003",
    "result_count": 5,
    "next_token": "b26v89c19zqg8o3fr5qpxwf8k3lqe3a"
  }
}
""".encode()

# formerly fixtures/x/aaa_tweet_create.json
HANDMADE_AAA_TWEET_CREATE = r"""{
  "for_user_id": "2244994945",
  "user_has_blocked": "false",
  "tweet_create_events": [
    {
      "created_at": "Wed Oct 10 20:19:24 +0000 2018",
      "id": 1050118621198921728,
      "id_str": "1050118621198921728",
      "text": "To make room for more expression, we will now count all emojis as equal—including those with gender and skin t… https://t.co/MkGjXf9aXm",
      "truncated": true,
      "in_reply_to_status_id": null,
      "in_reply_to_status_id_str": null,
      "in_reply_to_user_id_str": null,
      "user": {
        "id": 6253282,
        "id_str": "6253282",
        "name": "Twitter API",
        "screen_name": "TwitterAPI",
        "followers_count": 6133636,
        "verified": true
      },
      "extended_tweet": {
        "full_text": "To make room for more expression, we will now count all emojis as equal—including those with gender and skin tone modifiers 👍🏻👍🏽👍🏿. This is now reflected in Twitter-Text, our Open Source library. \n\nUsing Twitter-Text? See the forum post for detail: https://t.co/Nx1XZmRCXA",
        "entities": {
          "hashtags": [],
          "urls": [{"url": "https://t.co/Nx1XZmRCXA", "expanded_url": "https://twittercommunity.com/t/new-update-to-the-twitter-text-library-emoji-character-count/114607", "display_url": "twittercommunity.com/t/new-update-t…", "indices": [251, 274]}],
          "user_mentions": []
        }
      },
      "quote_count": 0,
      "reply_count": 35,
      "retweet_count": 144,
      "favorite_count": 478,
      "entities": {"hashtags": [], "urls": [], "user_mentions": []},
      "lang": "en"
    },
    {
      "created_at": "Thu Oct 11 08:02:10 +0000 2018",
      "id_str": "1050295465337405440",
      "text": "@TwitterDev is the &lt;details&gt; tag supported in cards? Asking for a friend 🙏",
      "in_reply_to_status_id_str": "1050118621198921728",
      "in_reply_to_user_id_str": "6253282",
      "user": {"id_str": "3001969357", "name": "Jordan Brinks", "screen_name": "furiouscamper", "followers_count": 22, "verified": false},
      "entities": {"hashtags": [], "urls": [], "user_mentions": [{"screen_name": "TwitterDev", "name": "Twitter Dev", "id_str": "2244994945", "indices": [0, 11]}]},
      "extended_entities": {"media": [{"id_str": "1050295460000000000", "type": "photo", "media_url_https": "https://pbs.twimg.com/media/Dpo0000.jpg"}]},
      "quote_count": 0,
      "reply_count": 0,
      "retweet_count": 0,
      "favorite_count": 1,
      "lang": "en"
    }
  ]
}
""".encode()

# formerly fixtures/x/aaa_direct_message.json
HANDMADE_AAA_DIRECT_MESSAGE = rb"""{
  "for_user_id": "4337869213",
  "direct_message_events": [
    {
      "type": "message_create",
      "id": "954491830116155396",
      "created_timestamp": "1516403560557",
      "message_create": {
        "target": {"recipient_id": "4337869213"},
        "sender_id": "3001969357",
        "source_app_id": "13090192",
        "message_data": {
          "text": "Hello World!",
          "entities": {"hashtags": [], "symbols": [], "user_mentions": [], "urls": []}
        }
      }
    }
  ],
  "apps": {
    "13090192": {"id": "13090192", "name": "FuriousCamperTestApp1", "url": "https://twitter.com/furiouscamper"}
  },
  "users": {
    "3001969357": {
      "id": "3001969357",
      "created_timestamp": "1422556069340",
      "name": "Jordan Brinks",
      "screen_name": "furiouscamper",
      "location": "Boulder, CO",
      "description": "Alter Ego - Twitter PE opinions-are-my-own",
      "url": "https://t.co/SnxaA15ZuY",
      "protected": false,
      "verified": false,
      "followers_count": 22,
      "friends_count": 45,
      "statuses_count": 494,
      "profile_image_url": "null",
      "profile_image_url_https": "https://pbs.twimg.com/profile_images/851526626785480705/cW4WTi7C_normal.jpg"
    },
    "4337869213": {
      "id": "4337869213",
      "created_timestamp": "1448312972328",
      "name": "Harrison Test",
      "screen_name": "Harris_0ff",
      "location": "Burlington, MA",
      "protected": false,
      "verified": false,
      "followers_count": 8,
      "friends_count": 8,
      "profile_image_url": "null",
      "statuses_count": 240,
      "profile_image_url_https": "https://abs.twimg.com/sticky/default_profile_images/default_profile_normal.png"
    }
  }
}
"""
