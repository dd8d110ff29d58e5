global using BotSystem.MockWebhook.Apis;
