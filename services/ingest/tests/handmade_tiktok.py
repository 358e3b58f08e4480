"""Hand-made tiktok payloads (not copied from the platform): the comment and reply lists recorded in python-tiktok's documentation, transcribed from Python dicts to JSON (values unchanged, syntax converted)."""

from __future__ import annotations

# formerly fixtures/tiktok/comment_list.json
HANDMADE_COMMENT_LIST = rb"""{"code":0,"message":"OK","request_id":"20220701072655010002007637004005006003006134680EF","data":{"has_more":false,"comments":[{"video_id":"7109065174526479622","liked":false,"pinned":false,"user_id":"367b786990e8dcebcf493e035b820f5be4834422511c851b3bd0010f9690adbc","text":"nice","replies":11,"username":"phoenix202312121","status":"PUBLIC","likes":0,"create_time":"1655461098","owner":false,"comment_id":"7110150495453840130","profile_image":"https://p16-sign-sg.tiktokcdn.com/tiktok-obj/1666477470268417~c5_168x168.jpeg?x-expires=1656831600&x-signature=W%2FAanEtkfRORbU141d2UeZQnxzc%3D"},{"video_id":"7109065174526479622","liked":false,"pinned":false,"user_id":"6faa870ee45c1f68a2d98d50e09f222a04069380c1032f1919f3ffe25be1f085","text":"xxxxxxxx","replies":0,"username":"klein_kunkun","status":"PUBLIC","likes":0,"create_time":"1655870005","owner":false,"comment_id":"7111907185164763905","profile_image":"https://p16-sign-sg.tiktokcdn.com/tiktok-obj/7046311066329939970~c5_168x168.jpeg?x-expires=1656831600&x-signature=9GsDTVTn9%2Bvb%2FFBkxZGaOlIkTM4%3D"}],"cursor":2}}
"""

# formerly fixtures/tiktok/reply_list.json
HANDMADE_REPLY_LIST = rb"""{"code":0,"message":"OK","request_id":"202207010730350100020060050050060030001099BEF5","data":{"has_more":false,"cursor":1,"comments":[{"profile_image":"https://p16-sign-sg.tiktokcdn.com/tiktok-obj/7046311066329939970~c5_168x168.jpeg?x-expires=1656831600&x-signature=9GsDTVTn9%2Bvb%2FFBkxZGaOlIkTM4%3D","create_time":"1656660622","video_id":"7109065174526479622","status":"PUBLIC","owner":false,"comment_id":"7115302925501563650","likes":0,"parent_comment_id":"7111907185164763905","username":"klein_kunkun","text":"hh","liked":false,"user_id":"6faa870ee45c1f68a2d98d50e09f222a04069380c1032f1919f3ffe25be1f085"}]}}
"""
