"""Hand-made rss payloads (not copied from the platform): an RSS 2.0 channel written from the specification's elements, and RFC 4287's extensive example with an added RFC 4685 reply entry."""

from __future__ import annotations

# formerly fixtures/rss/blog_rss2.xml
HANDMADE_BLOG_RSS2 = r"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">
  <channel>
    <title>Le blog café</title>
    <atom:link href="https://cafe.example.org/feed/" rel="self" type="application/rss+xml"/>
    <link>https://cafe.example.org</link>
    <description>Un blog qui parle de marques</description>
    <language>fr-FR</language>
    <lastBuildDate>Tue, 04 Jun 2024 10:00:00 +0000</lastBuildDate>
    <item>
      <title>Pourquoi j'ai quitté Chorus &amp; ce que j'en pense</title>
      <link>https://cafe.example.org/2024/06/quitte-chorus/</link>
      <dc:creator><![CDATA[Camille Dupré]]></dc:creator>
      <pubDate>Mon, 03 Jun 2024 18:30:00 +0200</pubDate>
      <category><![CDATA[Avis]]></category>
      <guid isPermaLink="false">https://cafe.example.org/?p=1042</guid>
      <description><![CDATA[<p>Après deux ans chez <b>Chorus</b>, j'arrête…</p>]]></description>
      <content:encoded><![CDATA[<p>Après deux ans chez <b>Chorus</b>, j&rsquo;arrête. Le support&nbsp;? Lent 😞.</p>
<script>document.write("tracking")</script><style>p{color:red}</style>
<p>Contact : <a href="mailto:camille@example.org">camille@example.org</a> — #chorus @chorus_fr https://chorus.example.com/pricing</p>]]></content:encoded>
      <enclosure url="https://cafe.example.org/wp-content/uploads/capture.png" length="12345" type="image/png"/>
    </item>
    <item>
      <title>Note rapide</title>
      <link>https://cafe.example.org/2024/06/note/</link>
      <guid isPermaLink="false">1043</guid>
      <author>camille@example.org (Camille Dupré)</author>
      <description>Simple texte, sans HTML.</description>
    </item>
  </channel>
</rss>
""".encode()

# formerly fixtures/rss/blog_atom.xml
HANDMADE_BLOG_ATOM = r"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:thr="http://purl.org/syndication/thread/1.0" xml:lang="en">
  <title type="text">dive into mark</title>
  <subtitle type="html">A &lt;em&gt;lot&lt;/em&gt; of effort went into making this effortless</subtitle>
  <updated>2005-07-31T12:29:29Z</updated>
  <id>tag:example.org,2003:3</id>
  <link rel="alternate" type="text/html" hreflang="en" href="http://example.org/"/>
  <link rel="self" type="application/atom+xml" href="http://example.org/feed.atom"/>
  <rights>Copyright (c) 2003, Mark Pilgrim</rights>
  <entry>
    <title>Atom draft-07 snapshot</title>
    <link rel="alternate" type="text/html" href="http://example.org/2005/04/02/atom"/>
    <link rel="enclosure" type="audio/mpeg" length="1337" href="http://example.org/audio/ph34r_my_podcast.mp3"/>
    <id>tag:example.org,2003:3.2397</id>
    <updated>2005-07-31T12:29:29Z</updated>
    <published>2003-12-13T08:29:29-04:00</published>
    <author>
      <name>Mark Pilgrim</name>
      <uri>http://example.org/</uri>
      <email>f8dy@example.com</email>
    </author>
    <content type="xhtml" xml:lang="en" xml:base="http://diveintomark.org/">
      <div xmlns="http://www.w3.org/1999/xhtml">
        <p><i>[Update: The Atom draft is finished.]</i></p>
        <p>Chorus  support   was great 👍</p>
      </div>
    </content>
  </entry>
  <entry>
    <title type="html">Re: &lt;b&gt;Atom&lt;/b&gt; draft</title>
    <link href="http://example.org/2005/04/02/atom#comment-1"/>
    <id>tag:example.org,2003:3.2397.c1</id>
    <updated>2005-08-01T09:00:00Z</updated>
    <thr:in-reply-to ref="tag:example.org,2003:3.2397" href="http://example.org/2005/04/02/atom"/>
    <summary type="html">&lt;p&gt;I &amp;amp; my team agree&lt;/p&gt;</summary>
  </entry>
</feed>
""".encode()
