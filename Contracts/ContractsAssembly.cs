namespace BotSystem.Contracts;
