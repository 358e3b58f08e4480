"""Hand-made google_business payloads (not copied from the platform): Google publishes field lists, not example values, for reviews.list and the Pub/Sub notification; these payloads fill those shapes with invented values."""

from __future__ import annotations

# formerly fixtures/google_business/reviews_list.json
HANDMADE_REVIEWS_LIST = r"""{
  "reviews": [
    {
      "name": "accounts/104858302738/locations/982374/reviews/AIe9_BGx7bN-1",
      "reviewId": "AIe9_BGx7bN-1",
      "reviewer": {
        "profilePhotoUrl": "https://lh3.googleusercontent.com/a/photo-1",
        "displayName": "Zoë Martin",
        "isAnonymous": false
      },
      "starRating": "FOUR",
      "comment": "Très bon accueil 😊 mais 20 min d'attente. Merci @Chorus ! https://example.com/menu",
      "createTime": "2024-03-14T09:15:42.123456789Z",
      "updateTime": "2024-03-14T10:01:00Z",
      "reviewReply": {
        "comment": "Merci Zoë, à bientôt !",
        "updateTime": "2024-03-15T08:00:00Z"
      }
    },
    {
      "name": "accounts/104858302738/locations/982374/reviews/AIe9_CHy8cO-2",
      "reviewId": "AIe9_CHy8cO-2",
      "reviewer": {
        "displayName": "A Google User",
        "isAnonymous": true
      },
      "starRating": "ONE",
      "createTime": "2024-03-13T18:00:00Z",
      "updateTime": "2024-03-13T18:00:00Z"
    }
  ],
  "averageRating": 2.5,
  "totalReviewCount": 2,
  "nextPageToken": "CiAKGjBpNDd2Nmp2Zml2c2tqa2loaHVhemFxbg"
}
""".encode()

# formerly fixtures/google_business/pubsub_new_review.json
HANDMADE_PUBSUB_NEW_REVIEW = rb"""{
  "message": {
    "attributes": {},
    "data": "eyJ0eXBlIjogIk5FV19SRVZJRVciLCAicmV2aWV3IjogImFjY291bnRzLzEwNDg1ODMwMjczOC9sb2NhdGlvbnMvOTgyMzc0L3Jldmlld3MvQUllOV9CR3g3Yk4tMSIsICJsb2NhdGlvbiI6ICJhY2NvdW50cy8xMDQ4NTgzMDI3MzgvbG9jYXRpb25zLzk4MjM3NCJ9",
    "messageId": "2070443601311540",
    "message_id": "2070443601311540",
    "publishTime": "2024-03-14T09:15:45.100Z",
    "publish_time": "2024-03-14T09:15:45.100Z"
  },
  "subscription": "projects/chorus-demo/subscriptions/gbp-reviews-push"
}
"""

# formerly fixtures/google_business/pubsub_review.json
HANDMADE_PUBSUB_REVIEW = rb"""{
  "message": {
    "data": "eyJuYW1lIjogImFjY291bnRzLzEwNDg1ODMwMjczOC9sb2NhdGlvbnMvOTgyMzc0L3Jldmlld3MvQUllOV9DSHk4Y08tMiIsICJyZXZpZXdJZCI6ICJBSWU5X0NIeThjTy0yIiwgInJldmlld2VyIjogeyJkaXNwbGF5TmFtZSI6ICJBIEdvb2dsZSBVc2VyIiwgImlzQW5vbnltb3VzIjogdHJ1ZX0sICJzdGFyUmF0aW5nIjogIk9ORSIsICJjcmVhdGVUaW1lIjogIjIwMjQtMDMtMTNUMTg6MDA6MDBaIiwgInVwZGF0ZVRpbWUiOiAiMjAyNC0wMy0xM1QxODowMDowMFoifQ==",
    "messageId": "2070443601311541",
    "publishTime": "2024-03-13T18:00:05Z"
  },
  "subscription": "projects/chorus-demo/subscriptions/gbp-reviews-push"
}
"""
