#pragma once
// A bounded map from shape keys to cached oneDNN primitives. Adaptive networks run many
// (width × resolution) shapes, so an unbounded cache would grow with every configuration seen.
#include <cstddef>
#include <list>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>

template <typename V>
class LruCache {
 public:
  explicit LruCache(size_t capacity) : capacity_(capacity) {}

  // The cached value for `key`, marked most recently used; nullptr when absent.
  V* Get(const std::string& key) {
    auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    order_.splice(order_.begin(), order_, it->second);
    return it->second->second.get();
  }

  V* Put(const std::string& key, std::unique_ptr<V> value) {
    order_.emplace_front(key, std::move(value));
    index_[key] = order_.begin();
    while (order_.size() > capacity_) {
      index_.erase(order_.back().first);
      order_.pop_back();
    }
    return order_.front().second.get();
  }

  size_t size() const { return order_.size(); }

 private:
  size_t capacity_;
  std::list<std::pair<std::string, std::unique_ptr<V>>> order_;
  std::unordered_map<std::string, typename std::list<std::pair<std::string, std::unique_ptr<V>>>::iterator> index_;
};
