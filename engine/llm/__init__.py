"""Chat models: the ChatModel protocol, the llama.cpp backend and a scripted model for tests."""
