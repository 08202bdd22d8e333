# MEG_SANITIZE="address;undefined" instruments every meg target.
function(meg_set_sanitizers target)
  if(MEG_SANITIZE)
    list(JOIN MEG_SANITIZE "," _san)
    target_compile_options(${target} PUBLIC -fsanitize=${_san} -fno-omit-frame-pointer
                           -fno-sanitize-recover=undefined)
    target_link_options(${target} PUBLIC -fsanitize=${_san})
  endif()
endfunction()
