"""How people reach Gentle Hands: custom Rasa input channels.

- ``channels.socketio.SocketIOInput``: Rasa's Socket.IO channel, with origins restricted to
  ALLOWED_ORIGINS and one message per bot reply (step cards arrive whole).
- ``channels.web.WebChatWidget``: serves the embeddable widget and a demo page at /chat.
- ``channels.telegram.TelegramInput``: Telegram bot webhook (inline keyboards, secret token).
- ``channels.whatsapp.WhatsAppInput``: WhatsApp through Twilio (signed webhooks, numbered
  choices).

All are configured in credentials.yml from environment variables; see README "Channels".
"""
