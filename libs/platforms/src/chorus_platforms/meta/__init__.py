"""What the Meta platforms (Facebook, Messenger, Instagram, WhatsApp) share: the webhook
envelope and the Graph API call."""
