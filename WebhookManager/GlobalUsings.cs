global using BotSystem.WebhookManager.Apis;
